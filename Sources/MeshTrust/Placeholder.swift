// MeshTrust
