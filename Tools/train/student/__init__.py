"""Training SSDLite person students on teacher labels (Tools/train/README.md)."""
