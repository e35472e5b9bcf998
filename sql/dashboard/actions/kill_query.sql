-- Stop one running query (asynchronously); returns at once, the query ends at its next cancellation point.
KILL QUERY WHERE query_id = {query_id:String} ASYNC
