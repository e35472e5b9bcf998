-- A failing demo query: an integer division by zero (ILLEGAL_DIVISION) over the demo's rows.
SELECT intDiv(user_id, user_id - user_id) FROM demo.events LIMIT 1
