"""The browser-facing part of the portal; it talks to the rest over HTTP and WebSocket only."""
