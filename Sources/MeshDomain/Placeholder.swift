// MeshDomain
