// MeshScriptInterpreter
