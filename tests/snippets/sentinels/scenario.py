"""Instances the module makes while it runs (a sentinel default, a class attribute, a list of
points): when the module runs again, the new ones are instances of the kept classes."""

IMPORT = "from sentinels import sen"
BEFORE = "NoChange, Point = sen.NoChange, sen.Point"
CHECKS = {2: {
    "a sentinel default is an instance of the kept class": "sen.update() == 'still kept' and sen.NoChange is NoChange",
    "a class attribute made at import": "type(sen.Point.ORIGIN) is Point",
    "instances in a list made at import": "type(sen.POINTS[0]) is Point",
}}
