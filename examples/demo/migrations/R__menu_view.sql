-- Repeatable: re-applied whenever this file (or a placeholder in it) changes.
DROP VIEW IF EXISTS menu;
CREATE VIEW menu AS
SELECT '${shop_name}' AS shop, name, printf('%.2f', price_cents / 100.0) AS price
FROM product
ORDER BY name;
