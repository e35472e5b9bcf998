-- A slow demo query (about a second): a heavy aggregation over generated numbers.
SELECT count(), uniqExact(intHash64(number) % 1000003) FROM numbers({rows:UInt64})
