"""Reference PyTorch models and helpers behind LiteDetect's test fixtures.

Used only by the scripts in ``Tools/reference``; nothing in the Swift package
imports or runs Python.
"""
