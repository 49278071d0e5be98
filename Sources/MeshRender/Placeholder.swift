// MeshRender
