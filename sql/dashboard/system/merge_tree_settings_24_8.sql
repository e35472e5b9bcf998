-- What MergeTree settings are in force (changed ones first), filtered by name.
-- Variant for servers before 25.8, where system.merge_tree_settings has no default.
SELECT name, value, changed, type, description
FROM system.merge_tree_settings
WHERE ({text:String} = '' OR positionCaseInsensitive(name, {text:String}) > 0)
    AND ({changed_only:UInt8} = 0 OR changed)
ORDER BY changed DESC, name
LIMIT 2000
