using System.Reflection;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules;
using NRules.Fluent;
using NRules.Fluent.Dsl;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// Builds an immutable <see cref="DecisionEngine"/>: the global rule set (shipped rule sets and the caller's own rules),
/// site overlays and policy options. Arguments are validated as they are added; <see cref="Build"/> compiles every rule
/// set once (expensive: do it at start-up, keep the engine).
/// </summary>
public sealed class DecisionEngineBuilder
{
    private readonly RuleTypeList _rules = new();
    private readonly List<SiteOverlayBuilder> _overlays = [];
    private readonly Dictionary<CustomerId, CustomerQualityRequirements> _customers = [];
    private string _ruleSetName = "mo.standard";
    private string _ruleSetVersion = "1.0.0";
    private DecisionPolicyOptions _policy = DecisionPolicyOptions.Default;

    /// <summary>Names and versions the global rule set (default <c>mo.standard</c> version <c>1.0.0</c>).</summary>
    /// <param name="name">The rule set name recorded on every decision.</param>
    /// <param name="version">The rule set version recorded on every decision.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder WithRuleSet(string name, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        _ruleSetName = name;
        _ruleSetVersion = version;
        return this;
    }

    /// <summary>Adds every shipped rule set (see <see cref="StandardRuleSets.All"/>).</summary>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder AddStandardRules() => AddStandardRules([.. StandardRuleSets.All]);

    /// <summary>Adds the named shipped rule sets, such as <see cref="StandardRuleSets.InspectionFailed"/>.</summary>
    /// <param name="ruleSets">The rule set names.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder AddStandardRules(params string[] ruleSets)
    {
        ArgumentNullException.ThrowIfNull(ruleSets);
        foreach (var ruleSet in ruleSets)
        {
            _rules.AddRange(StandardRuleSets.RuleTypes(ruleSet));
        }

        return this;
    }

    /// <summary>Adds rule classes (NRules fluent <see cref="Rule"/> subclasses with a public parameterless constructor).</summary>
    /// <param name="ruleTypes">The rule types.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder AddRules(params Type[] ruleTypes)
    {
        ArgumentNullException.ThrowIfNull(ruleTypes);
        _rules.AddRange(ruleTypes);
        return this;
    }

    /// <summary>Adds every public, concrete rule class of an assembly (assembly scan), optionally filtered.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="filter">Which rule types to take; all when <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder AddRulesFrom(Assembly assembly, Func<Type, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _rules.AddRange(RuleTypeList.Scan(assembly, filter));
        return this;
    }

    /// <summary>
    /// Adds a site overlay: rules that apply at one site only. An overlay rule with the same name as a global rule
    /// replaces it at that site; other overlay rules are added; <see cref="SiteOverlayBuilder.RemoveRule"/> drops a global rule.
    /// </summary>
    /// <param name="site">The site.</param>
    /// <param name="name">The overlay's name, recorded on decisions its rules make.</param>
    /// <param name="version">The overlay's version.</param>
    /// <param name="configure">Adds the overlay's rules.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder AddSiteOverlay(SiteId site, string name, string version, Action<SiteOverlayBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(configure);
        if (_overlays.Exists(o => o.Site == site))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"Site {site} already has an overlay.");
        }

        var overlay = new SiteOverlayBuilder(site, name, version);
        configure(overlay);
        _overlays.Add(overlay);
        return this;
    }

    /// <summary>
    /// Registers a customer's quality requirements, keyed by customer as site overlays are keyed by site: they apply to a
    /// lot when any of its allocations (<see cref="FactSet.Allocations"/>) is for the customer. The shipped rules read
    /// them: a use-as-is concession is refused (<see cref="ReasonCodes.CustomerConcessionForbidden"/>) and a release
    /// waits for an approval until a certificate of analysis is on file (<see cref="ReasonCodes.CustomerCertificateRequired"/>).
    /// </summary>
    /// <param name="requirements">The customer's requirements.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The customer already has requirements (<see cref="ReasonCodes.RuleSetInvalid"/>).</exception>
    public DecisionEngineBuilder AddCustomerRequirements(CustomerQualityRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        if (!_customers.TryAdd(requirements.Customer, requirements))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"Customer {requirements.Customer} already has quality requirements.");
        }

        return this;
    }

    /// <summary>Sets the roles policy constraints require (the constraints themselves always apply).</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    public DecisionEngineBuilder WithPolicy(DecisionPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _policy = options;
        return this;
    }

    /// <summary>Compiles the global rule set and every overlay into an immutable, thread-safe engine.</summary>
    /// <returns>The engine.</returns>
    /// <exception cref="ManufacturingOrchestrationException">A rule name is duplicated or unknown, or a rule does not compile (<see cref="ReasonCodes.RuleSetInvalid"/>).</exception>
    public DecisionEngine Build()
    {
        var globalOrigin = new RuleOrigin(_ruleSetName, _ruleSetVersion);
        var globalRules = Load(_rules.Types, $"{_ruleSetName}@{_ruleSetVersion}");
        // Without customer requirements no rule can see a LotCustomerRequirements fact: compile the rules without their gates.
        var withoutCustomerGates = _customers.Count == 0;
        var global = Compile(_ruleSetName, $"{_ruleSetName}@{_ruleSetVersion}", globalRules.Select(r => (r, globalOrigin)).ToList(), withoutCustomerGates);

        var overlays = new Dictionary<SiteId, SiteRuleSet>();
        foreach (var overlay in _overlays)
        {
            var overlayOrigin = new RuleOrigin(overlay.Name, overlay.Version);
            var overlayRules = Load(overlay.Rules.Types, $"{overlay.Name}@{overlay.Version}");
            var globalNames = globalRules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var removed in overlay.RemovedRules)
            {
                if (!globalNames.Contains(removed))
                {
                    throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"Overlay '{overlay.Name}' removes rule '{removed}', which is not in the global rule set.");
                }
            }

            var overlayNames = overlayRules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var combined = globalRules
                .Where(r => !overlayNames.Contains(r.Name) && !overlay.RemovedRules.Contains(r.Name))
                .Select(r => (r, globalOrigin))
                .Concat(overlayRules.Select(r => (r, overlayOrigin)))
                .ToList();
            var name = $"{_ruleSetName}+{overlay.Name}";
            var version = $"{_ruleSetName}@{_ruleSetVersion}+{overlay.Name}@{overlay.Version}";
            overlays.Add(overlay.Site, Compile(name, version, combined, withoutCustomerGates));
        }

        return new DecisionEngine(global, overlays, new Dictionary<CustomerId, CustomerQualityRequirements>(_customers), new DecisionPolicy(_policy), _policy);
    }

    private static List<IRuleDefinition> Load(IReadOnlyList<Type> types, string ruleSet)
    {
        var repository = new RuleRepository();
        try
        {
            repository.Load(spec => spec.From(types).To(ruleSet));
        }
        catch (Exception ex) when (ex is RuleDefinitionException or RuleActivationException)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"A rule of '{ruleSet}' could not be loaded: {ex.Message}", ex);
        }

        var rules = repository.GetRuleSets().SelectMany(s => s.Rules).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!seen.Add(rule.Name))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"Rule name '{rule.Name}' is used twice in '{ruleSet}'.");
            }
        }

        return rules;
    }

    private static SiteRuleSet Compile(string name, string version, List<(IRuleDefinition Rule, RuleOrigin Origin)> rules, bool withoutCustomerGates)
    {
        var typed = rules.Select(r => (r.Rule, r.Origin, Types: RuleFactTypes.Collect(r.Rule))).ToList();
        var eventTypes = typed
            .Where(r => r.Types is not null)
            .SelectMany(r => r.Types!)
            .Where(t => typeof(EventPayload).IsAssignableFrom(t) && !t.IsAbstract)
            .Distinct()
            .ToList();

        var byEvent = new Dictionary<Type, CompiledRuleSet>();
        foreach (var eventType in eventTypes)
        {
            byEvent.Add(eventType, CompilePartition(name, version, typed.Where(r => AppliesTo(r.Types, eventType)).ToList(), withoutCustomerGates));
        }

        var other = CompilePartition(name, version, typed.Where(r => AppliesTo(r.Types, null)).ToList(), withoutCustomerGates);

        // Compiled without the customer gates, the set keeps the rules as written for an evaluation that brings its own customer fact.
        var asWritten = withoutCustomerGates ? new Lazy<SiteRuleSet>(() => Compile(name, version, rules, withoutCustomerGates: false)) : null;
        return new SiteRuleSet(name, version, rules.Select(r => r.Rule.Name).ToArray(), byEvent, other, asWritten);
    }

    // A rule belongs to an event type's partition when it declares a payload type the event is, or declares no concrete payload type.
    private static bool AppliesTo(HashSet<Type>? types, Type? eventType)
    {
        if (types is null)
        {
            return true;
        }

        var declaresConcretePayload = false;
        foreach (var type in types)
        {
            if (!typeof(EventPayload).IsAssignableFrom(type) && !type.IsAssignableFrom(typeof(EventPayload)))
            {
                continue;
            }

            if (type.IsAbstract || type == typeof(object))
            {
                return true;
            }

            declaresConcretePayload = true;
            if (eventType is not null && type.IsAssignableFrom(eventType))
            {
                return true;
            }
        }

        return !declaresConcretePayload;
    }

    private static CompiledRuleSet CompilePartition(string name, string version, List<(IRuleDefinition Rule, RuleOrigin Origin, HashSet<Type>? Types)> rules, bool withoutCustomerGates)
    {
        if (withoutCustomerGates && CustomerGates.Remove(rules, r => r.Rule, (r, rule) => (rule, r.Origin, RuleFactTypes.Collect(rule))) is { } ungated)
        {
            rules = ungated;
        }

        ISessionFactory factory;
        try
        {
            factory = new RuleCompiler().Compile(rules.Select(r => r.Rule));
        }
        catch (RuleCompilationException ex)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"Rule set '{version}' does not compile: {ex.Message}", ex);
        }

        var origins = rules.ToDictionary(r => r.Rule.Name, r => r.Origin, StringComparer.Ordinal);
        var filter = new FactFilter(rules.Where(r => r.Types is not null).SelectMany(r => r.Types!), acceptAll: rules.Exists(r => r.Types is null));
        return new CompiledRuleSet(factory, name, version, origins, rules.Select(r => r.Rule.Name).ToArray(), filter);
    }
}

/// <summary>The rules of one site overlay.</summary>
public sealed class SiteOverlayBuilder
{
    internal SiteOverlayBuilder(SiteId site, string name, string version)
    {
        Site = site;
        Name = name;
        Version = version;
    }

    /// <summary>The site the overlay applies to.</summary>
    public SiteId Site { get; }

    /// <summary>The overlay's name.</summary>
    public string Name { get; }

    /// <summary>The overlay's version.</summary>
    public string Version { get; }

    internal RuleTypeList Rules { get; } = new();

    internal HashSet<string> RemovedRules { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds overlay rules; one named like a global rule replaces it at this site.</summary>
    /// <param name="ruleTypes">The rule types.</param>
    /// <returns>This builder.</returns>
    public SiteOverlayBuilder AddRules(params Type[] ruleTypes)
    {
        ArgumentNullException.ThrowIfNull(ruleTypes);
        Rules.AddRange(ruleTypes);
        return this;
    }

    /// <summary>Adds every public, concrete rule class of an assembly, optionally filtered.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="filter">Which rule types to take; all when <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public SiteOverlayBuilder AddRulesFrom(Assembly assembly, Func<Type, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Rules.AddRange(RuleTypeList.Scan(assembly, filter));
        return this;
    }

    /// <summary>Drops a global rule at this site (policy constraints still apply).</summary>
    /// <param name="ruleName">The global rule's name.</param>
    /// <returns>This builder.</returns>
    public SiteOverlayBuilder RemoveRule(string ruleName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ruleName);
        RemovedRules.Add(ruleName);
        return this;
    }
}

/// <summary>An ordered, duplicate-free list of rule types, validated as they are added.</summary>
internal sealed class RuleTypeList
{
    private readonly List<Type> _types = [];
    private readonly HashSet<Type> _seen = [];

    public IReadOnlyList<Type> Types => _types;

    public static IEnumerable<Type> Scan(Assembly assembly, Func<Type, bool>? filter) =>
        assembly.GetExportedTypes().Where(t => IsRule(t) && (filter is null || filter(t)));

    public void AddRange(IEnumerable<Type> types)
    {
        foreach (var type in types)
        {
            ArgumentNullException.ThrowIfNull(type);
            if (!IsRule(type))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"{type} is not a concrete NRules rule class.");
            }

            if (_seen.Add(type))
            {
                _types.Add(type);
            }
        }
    }

    private static bool IsRule(Type type) => typeof(Rule).IsAssignableFrom(type) && type is { IsAbstract: false, IsGenericTypeDefinition: false };
}
