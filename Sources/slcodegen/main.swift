// Placeholder: the generator is written in this target.
print("slcodegen: not written yet")
