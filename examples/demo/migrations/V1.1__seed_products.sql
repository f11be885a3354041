INSERT INTO product (id, name, price_cents) VALUES (1, 'Espresso', 250);
INSERT INTO product (id, name, price_cents) VALUES (2, 'Flat white; large', 390);  -- a ';' inside a string
INSERT INTO product (id, name, price_cents) VALUES (3, 'Filter', 300);
