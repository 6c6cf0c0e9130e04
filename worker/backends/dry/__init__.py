"""The dry run: a job planned, its timeline and a contact sheet made, no video encoded.

The quickest preview of a catalog (what every product's video would be), and a backend whose
stages cost next to nothing, to measure the orchestration alone.
"""
