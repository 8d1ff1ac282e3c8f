"""The built base: territories, indicator values (long form), web geometries and offer places."""
# Implementation in progress (issue 3); the public interface below is the contract.
