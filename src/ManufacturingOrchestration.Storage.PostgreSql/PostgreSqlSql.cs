using System.Collections.Concurrent;
using System.Text;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The store's SQL for one schema: statements are written with <c>§</c> where the schema and a dot go and qualified once
/// per text with the schema's quoted name, and the keys of the transaction-scoped advisory locks are derived from the schema name, so two stores in
/// one database under different schemas never share a lock.
/// </summary>
internal sealed class PostgreSqlSql
{
    private readonly ConcurrentDictionary<string, string> _qualified = new(StringComparer.Ordinal);
    private readonly string _prefix;

    /// <summary>Creates the SQL of a schema.</summary>
    /// <param name="schema">A validated lower-case identifier; written quoted, so a name SQL reserves (<c>order</c>, <c>user</c>) is a name too.</param>
    public PostgreSqlSql(string schema)
    {
        Schema = schema;
        QuotedSchema = "\"" + schema + "\"";
        _prefix = QuotedSchema + ".";
        MigrationLockKey = LockKey(schema, "migrate");
        InboxLockKey = LockKey(schema, "inbox");
        AuditLockKey = LockKey(schema, "audit");
        InboxChannel = schema.Length + "_inbox".Length <= 63 ? schema + "_inbox" : schema;
    }

    /// <summary>The notification channel told of events accepted into the inbox (<c>pg_notify</c> in the accepting transaction).</summary>
    public string InboxChannel { get; }

    /// <summary>The schema.</summary>
    public string Schema { get; }

    /// <summary>The schema as a quoted identifier, as every statement names it.</summary>
    public string QuotedSchema { get; }

    /// <summary>The lock that serializes migrations.</summary>
    public long MigrationLockKey { get; }

    /// <summary>The lock held while inbox positions are assigned, until commit: positions become visible in order.</summary>
    public long InboxLockKey { get; }

    /// <summary>The lock held while audit feed positions are assigned, until commit: the feed becomes visible in order.</summary>
    public long AuditLockKey { get; }

    /// <summary>A statement with its tables qualified.</summary>
    /// <param name="template">The statement with <c>§</c> before each table.</param>
    /// <returns>The qualified statement.</returns>
    public string this[string template] => _qualified.GetOrAdd(template, static (text, prefix) => text.Replace("§", prefix, StringComparison.Ordinal), _prefix);

    /// <summary>A 64-bit FNV-1a hash of the product, the schema and the purpose: stable across processes and versions.</summary>
    private static long LockKey(string schema, string purpose)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offset;
        foreach (var b in Encoding.UTF8.GetBytes("ManufacturingOrchestration/" + schema + "/" + purpose))
        {
            hash = (hash ^ b) * prime;
        }

        return unchecked((long)hash);
    }
}
