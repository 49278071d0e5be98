// The library product: one import for a host that embeds MeshScript.
@_exported import MeshScriptInterpreter
@_exported import MeshDomain
@_exported import MeshTrust
@_exported import MeshKube
@_exported import MeshRender
@_exported import MeshApply
@_exported import MeshLive
