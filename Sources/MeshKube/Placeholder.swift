// MeshKube
