print("meshscript")
