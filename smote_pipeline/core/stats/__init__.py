"""Statistics several groups borrow: the stratified bootstrap, distribution distances.

A leaf of the core: it imports no other group.
"""
