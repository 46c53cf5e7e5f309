-- Sample "shop" database for the demo: customers, products, orders.
-- Plain T-SQL that a real SQL Server runs unchanged.
IF DB_ID(N'shop') IS NULL CREATE DATABASE shop;
GO
USE shop;
GO
CREATE TABLE dbo.customers (
    customer_id   int IDENTITY(1,1) NOT NULL PRIMARY KEY,
    name          nvarchar(100) NOT NULL,
    email         varchar(200) NULL,
    country       char(2) NOT NULL,
    created_at    datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME()
);
CREATE TABLE dbo.products (
    product_id    int NOT NULL PRIMARY KEY,
    sku           varchar(20) NOT NULL,
    title         nvarchar(200) NOT NULL,
    price         decimal(10,2) NOT NULL,
    active        bit NOT NULL DEFAULT 1
);
CREATE TABLE dbo.orders (
    order_id      bigint NOT NULL,
    line_no       smallint NOT NULL,
    customer_id   int NOT NULL,
    product_id    int NOT NULL,
    quantity      int NOT NULL,
    amount        money NOT NULL,
    ordered_at    datetimeoffset(3) NOT NULL,
    note          nvarchar(max) NULL,
    CONSTRAINT pk_orders PRIMARY KEY (order_id, line_no)
);
GO
INSERT INTO dbo.customers (name, email, country) VALUES
    (N'Ada Lovelace', 'ada@example.com', 'GB'),
    (N'Grace Hopper', 'grace@example.com', 'US'),
    (N'Søren Kierkegaard', NULL, 'DK'),
    (N'Zhang Wei 张伟', 'zhang@example.cn', 'CN');
INSERT INTO dbo.products (product_id, sku, title, price) VALUES
    (1, 'TEA-001', N'Green tea, 100 g', 4.50),
    (2, 'CUP-002', N'Ceramic cup', 12.00),
    (3, 'POT-003', N'Teapot ☕', 39.90);
INSERT INTO dbo.orders (order_id, line_no, customer_id, product_id, quantity, amount, ordered_at, note) VALUES
    (1001, 1, 1, 1, 2, 9.00, '2026-11-01 09:15:00.000 +00:00', NULL),
    (1001, 2, 1, 2, 1, 12.00, '2026-11-01 09:15:00.000 +00:00', N'gift wrap'),
    (1002, 1, 2, 3, 1, 39.90, '2026-11-02 14:02:31.250 -05:00', NULL),
    (1003, 1, 4, 1, 5, 22.50, '2026-11-03 20:45:10.500 +08:00', N'😀 fast delivery');
GO
-- Change Tracking, as sluice needs it (docs/sqlserver-setup.md): snapshot
-- isolation for consistent reads, CT on the database and on every table.
ALTER DATABASE shop SET ALLOW_SNAPSHOT_ISOLATION ON;
ALTER DATABASE shop SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON);
GO
USE shop;
ALTER TABLE dbo.customers ENABLE CHANGE_TRACKING;
ALTER TABLE dbo.products ENABLE CHANGE_TRACKING;
ALTER TABLE dbo.orders ENABLE CHANGE_TRACKING;
GO
