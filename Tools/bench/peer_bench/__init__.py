"""Speed comparison of LiteDetect's SSDLite network with other CPU runtimes.

Used only by ``Tools/bench/compare_peers.py``; nothing in the Swift package
imports or runs Python.
"""
