"""Prompt understanding, shared by every backend: what a prompt asks for, field by field.

``reading`` reads the prompt (tokens per language, numbers in words, negation scopes, the
lexicons); ``understanding`` merges it with the job's options and the settings into a value
and an origin per field (option, prompt, platform or default).
"""
