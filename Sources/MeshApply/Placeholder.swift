// MeshApply: runs a plan's steps (see ApplyRunner.swift)
