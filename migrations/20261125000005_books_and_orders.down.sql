DROP TABLE book_orders;
DROP TABLE books;
