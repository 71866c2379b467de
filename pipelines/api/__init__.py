"""The portal's HTTP API: thin views that parse, call services or selectors, and serialize."""
