print("distembed")
