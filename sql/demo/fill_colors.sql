-- Fills the dictionary's source table with 16 named colors.
INSERT INTO demo.colors SELECT number, concat('color-', toString(number)) FROM numbers(16)
