"""The Qt widgets: main window, timeline, actor panel, detail view."""
