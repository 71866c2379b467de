"""Live progress over WebSockets: the consumer of ``/ws/pipelines/<id>/`` and its routing."""
