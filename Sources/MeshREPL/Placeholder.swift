// MeshREPL
