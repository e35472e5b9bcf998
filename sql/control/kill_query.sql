-- Stop one running query by its id (asynchronously; it ends at its next cancellation point).
KILL QUERY WHERE query_id = {query_id:String} ASYNC
