using System.Collections.Frozen;
using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The adapters of one deployment and the routing of every operation to the one that carries it out: an adapter per
/// target system (<c>erp</c>, <c>wms</c>, <c>lims</c>…) as the default for every site, adapters for particular sites
/// (plants in another region with their own ERP instance), and handlers that take over one operation everywhere.
/// A command routes by its <see cref="CommandContext.Site"/>, a query by the site it is asked for: the operation's
/// own handler if one is set, else the site's adapter for the system, else the system's default. Failures come back
/// classified by <see cref="AdapterFailures"/>; nothing an adapter does escapes as an unclassified exception.
/// </summary>
/// <remarks>Compose it before the orchestrator starts; it is safe to read from any thread.</remarks>
public sealed class AdapterSet
{
    private readonly Lock _gate = new();
    private FrozenDictionary<string, IAdapter> _defaults = FrozenDictionary<string, IAdapter>.Empty;
    private FrozenDictionary<(string System, SiteId Site), IAdapter> _bySite = FrozenDictionary<(string System, SiteId Site), IAdapter>.Empty;
    private FrozenDictionary<string, IAdapter> _handlers = FrozenDictionary<string, IAdapter>.Empty;

    /// <summary>Creates an empty set over the library's operations (<see cref="OperationRegistry.CreateDefault"/>).</summary>
    public AdapterSet()
        : this(OperationRegistry.CreateDefault())
    {
    }

    /// <summary>Creates an empty set over a registry of operations (built-in and your own).</summary>
    /// <param name="operations">The operations.</param>
    public AdapterSet(OperationRegistry operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        Operations = operations;
    }

    /// <summary>The operations this set routes.</summary>
    public OperationRegistry Operations { get; }

    /// <summary>Whether no adapter and no handler is composed.</summary>
    public bool IsEmpty => _defaults.Count == 0 && _bySite.Count == 0 && _handlers.Count == 0;

    /// <summary>The target systems with an adapter, for every site or for some.</summary>
    public IReadOnlyCollection<string> Systems => _defaults.Keys.Concat(_bySite.Keys.Select(k => k.System)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The sites that have an adapter of their own for at least one system.</summary>
    public IReadOnlyCollection<SiteId> RoutedSites => _bySite.Keys.Select(k => k.Site).Distinct().Order().ToArray();

    /// <summary>Sets the default adapter of a target system: the one every site uses unless it has its own.</summary>
    /// <param name="system">The target system, such as <see cref="CommandKinds.ErpSystem"/> or <c>lims</c>.</param>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">The system name is malformed.</exception>
    public AdapterSet Add(string system, IAdapter adapter)
    {
        ValidateSystem(system);
        ArgumentNullException.ThrowIfNull(adapter);
        lock (_gate)
        {
            _defaults = With(_defaults, system, adapter);
        }

        return this;
    }

    /// <summary>Sets the adapter of a target system for some sites (a plant with its own ERP instance): their commands and queries go to it, not to the default.</summary>
    /// <param name="system">The target system.</param>
    /// <param name="adapter">The adapter.</param>
    /// <param name="sites">The sites it serves (at least one).</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">The system name is malformed or no site is given.</exception>
    public AdapterSet Add(string system, IAdapter adapter, IEnumerable<SiteId> sites)
    {
        ValidateSystem(system);
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(sites);
        var list = sites.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"A site adapter for '{system}' needs at least one site; use Add(system, adapter) for the default.", nameof(sites));
        }

        lock (_gate)
        {
            var map = new Dictionary<(string System, SiteId Site), IAdapter>(_bySite);
            foreach (var site in list)
            {
                map[(system, site)] = adapter;
            }

            _bySite = map.ToFrozenDictionary();
        }

        return this;
    }

    /// <summary>Sets the handler of one operation for every site, taking it over from the system's adapters (to replace how a built-in command is carried out, for example).</summary>
    /// <param name="operation">The registered operation kind.</param>
    /// <param name="handler">The handler; it must implement the operation's handler interface.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">The operation is not registered, or the handler does not implement its interface.</exception>
    public AdapterSet Handle(string operation, IAdapter handler)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(handler);
        var entry = Operations.FindEntry(operation)
            ?? throw new ArgumentException($"The operation '{operation}' is not registered in the operation registry.", nameof(operation));
        if (!entry.Handles(handler))
        {
            throw new ArgumentException($"{handler.GetType().Name} does not implement {Describe(entry.Descriptor.HandlerType)}, so it cannot handle '{operation}'.", nameof(handler));
        }

        lock (_gate)
        {
            _handlers = With(_handlers, operation, handler);
        }

        return this;
    }

    /// <summary>The adapter that carries out an operation for a site, when one supports it.</summary>
    /// <param name="operation">The operation kind.</param>
    /// <param name="site">The site, or <see langword="null"/> for the default composition.</param>
    /// <returns>The adapter, or <see langword="null"/> when the operation is unregistered or nothing composed for that site supports it.</returns>
    public IAdapter? Find(string operation, SiteId? site)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Operations.FindEntry(operation) is { } entry && Resolve(entry, site) is { } adapter && OperationRegistry.Supports(entry, adapter) ? adapter : null;
    }

    /// <summary>Whether an operation is carried out for a site.</summary>
    /// <param name="operation">The operation kind.</param>
    /// <param name="site">The site, or <see langword="null"/> for the default composition.</param>
    /// <returns><see langword="true"/> when an adapter composed for the site supports it.</returns>
    public bool Supports(string operation, SiteId? site) => Find(operation, site) is not null;

    /// <summary>
    /// Says why an operation cannot be carried out for every site this set knows: the default composition (every site
    /// without its own adapter) and each site routed to its own adapter of the operation's system.
    /// </summary>
    /// <param name="operation">The operation kind.</param>
    /// <returns>One sentence per site composition that lacks it (empty when every composition supports it).</returns>
    public IReadOnlyList<string> FindGaps(string operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (Operations.FindEntry(operation) is not { } entry)
        {
            return [$"'{operation}' is not a registered operation (register its type with {nameof(OperationRegistry)}.{nameof(OperationRegistry.AddCommand)} or {nameof(OperationRegistry.AddQuery)})"];
        }

        var system = entry.Descriptor.System;
        var gaps = new List<string>();
        var sites = _bySite.Keys.Where(k => string.Equals(k.System, system, StringComparison.Ordinal)).Select(k => k.Site).Order().ToList();
        if (_handlers.ContainsKey(operation))
        {
            return gaps;
        }

        if (_defaults.TryGetValue(system, out var fallback))
        {
            if (!OperationRegistry.Supports(entry, fallback))
            {
                gaps.Add($"the default {system} adapter ({Name(fallback)}) does not support '{operation}'");
            }
        }
        else if (sites.Count == 0)
        {
            gaps.Add($"no {system} adapter is composed for '{operation}'");
        }

        foreach (var site in sites)
        {
            var adapter = _bySite[(system, site)];
            if (!OperationRegistry.Supports(entry, adapter))
            {
                gaps.Add($"the {system} adapter of site {site} ({Name(adapter)}) does not support '{operation}'");
            }
        }

        return gaps;
    }

    /// <summary>Executes a command on the adapter its kind and site route to.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call (the cancellation propagates; it is not a failure).</param>
    /// <returns>The classified outcome: a permanent failure when the command is unregistered or nothing composed supports it; never throws for adapter failures.</returns>
    public async ValueTask<AdapterResult> ExecuteAsync(AdapterCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var entry = Operations.FindEntry(command.GetType());
        if (entry?.Execute is null || !string.Equals(entry.Descriptor.Kind, command.Kind, StringComparison.Ordinal))
        {
            return AdapterResult.Permanent(ReasonCodes.UnknownCommandKind, $"'{command.Kind}' ({command.GetType().Name}) is not a registered command: register it with {nameof(OperationRegistry)}.{nameof(OperationRegistry.AddCommand)}.");
        }

        var site = command.Context.Site;
        if (Unavailable(entry, site, out var adapter) is { } unavailable)
        {
            return unavailable;
        }

        try
        {
            var pending = entry.Execute(adapter!, command, cancellationToken);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // An adapter's failure must never crash the orchestrator: it is classified.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return AdapterFailures.Classify(ex);
        }
    }

    /// <summary>Asks a query of the adapter its kind and the site route to.</summary>
    /// <typeparam name="TResult">What the query returns.</typeparam>
    /// <param name="query">The query.</param>
    /// <param name="site">The site the query is for, or <see langword="null"/> for the default composition.</param>
    /// <param name="cancellationToken">Cancels the call (the cancellation propagates; it is not a failure).</param>
    /// <returns>The answer.</returns>
    /// <exception cref="AdapterQueryException">The query failed, classified transient or permanent (also when unregistered or nothing composed supports it).</exception>
    public async ValueTask<TResult> QueryAsync<TResult>(AdapterQuery<TResult> query, SiteId? site, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var entry = Operations.FindEntry(query.GetType());
        if (entry?.Query is not Func<IAdapter, AdapterQuery<TResult>, CancellationToken, ValueTask<TResult>> run)
        {
            throw new AdapterQueryException(query.GetType().Name, AdapterResult.Permanent(ReasonCodes.UnknownOperation, $"{query.GetType().Name} is not a registered query: register it with {nameof(OperationRegistry)}.{nameof(OperationRegistry.AddQuery)}."), null, query.ToString() ?? query.GetType().Name);
        }

        if (Unavailable(entry, site, out var adapter) is { } unavailable)
        {
            throw new AdapterQueryException(entry.Descriptor.Kind, unavailable, null, query.ToString() ?? entry.Descriptor.Kind);
        }

        try
        {
            var pending = run(adapter!, query, cancellationToken);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // An adapter's failure must never crash the orchestrator: it is classified.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            throw new AdapterQueryException(entry.Descriptor.Kind, AdapterFailures.Classify(ex), ex, query.ToString() ?? entry.Descriptor.Kind);
        }
    }

    private AdapterResult? Unavailable(OperationRegistry.Entry entry, SiteId? site, out IAdapter? adapter)
    {
        adapter = Resolve(entry, site);
        if (adapter is not null && OperationRegistry.Supports(entry, adapter))
        {
            return null;
        }

        // Only a refusal has words to write: the call that goes ahead (every call, normally) formats nothing.
        var kind = entry.Descriptor.Kind;
        var where = site is { } s ? string.Create(CultureInfo.InvariantCulture, $" for site {s}") : string.Empty;
        return adapter is null
            ? AdapterResult.Permanent(ReasonCodes.AdapterNotConfigured, $"No {entry.System} adapter is configured{where} for '{kind}'.")
            : AdapterResult.Permanent(ReasonCodes.OperationNotSupported, $"The {entry.System} adapter{where} ({Name(adapter)}) does not support '{kind}'.");
    }

    private IAdapter? Resolve(OperationRegistry.Entry entry, SiteId? site)
    {
        var kind = entry.Descriptor.Kind;
        if (_handlers.Count > 0 && _handlers.TryGetValue(kind, out var handler))
        {
            return handler;
        }

        var system = entry.System;
        if (site is { } s && _bySite.Count > 0 && _bySite.TryGetValue((system, s), out var siteAdapter))
        {
            return siteAdapter;
        }

        return _defaults.TryGetValue(system, out var adapter) ? adapter : null;
    }

    private static string Name(IAdapter adapter) => adapter.ToString() is { Length: > 0 } text && !string.Equals(text, adapter.GetType().FullName, StringComparison.Ordinal)
        ? $"{adapter.GetType().Name} '{text}'"
        : adapter.GetType().Name;

    private static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(a => a.Name))}>"
        : type.Name;

    private static FrozenDictionary<string, IAdapter> With(FrozenDictionary<string, IAdapter> map, string key, IAdapter value) =>
        new Dictionary<string, IAdapter>(map, StringComparer.Ordinal) { [key] = value }.ToFrozenDictionary(StringComparer.Ordinal);

    private static void ValidateSystem(string system)
    {
        ArgumentException.ThrowIfNullOrEmpty(system);
        foreach (var c in system)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                throw new ArgumentException($"The target system '{system}' is not lower-case letters, digits and hyphens (such as 'erp' or 'lims'): it is the prefix of its operations' kinds.", nameof(system));
            }
        }
    }
}
