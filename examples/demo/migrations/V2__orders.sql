CREATE TABLE customer_order (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES product (id),
    quantity INTEGER NOT NULL DEFAULT 1,
    placed_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX customer_order_product_idx ON customer_order (product_id);

-- Keep a running total per product (a trigger body is one statement).
CREATE TABLE product_sales (product_id INTEGER PRIMARY KEY, sold INTEGER NOT NULL);
CREATE TRIGGER count_sale AFTER INSERT ON customer_order
BEGIN
    INSERT OR IGNORE INTO product_sales (product_id, sold) VALUES (NEW.product_id, 0);
    UPDATE product_sales SET sold = sold + NEW.quantity WHERE product_id = NEW.product_id;
END;
