"""From source texts to claims: segmentation, patterns, anchoring, claim sheets.

Pure functions over strings and files; nothing here touches a store.
"""
