print("syncrules")
