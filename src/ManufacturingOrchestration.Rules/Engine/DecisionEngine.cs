using System.Diagnostics.CodeAnalysis;
using ManufacturingOrchestration.Model;
using NRules;

namespace ManufacturingOrchestration.Rules;

/// <summary>A compiled rule set: the NRules session factory and where each rule came from.</summary>
internal sealed class CompiledRuleSet
{
    public CompiledRuleSet(ISessionFactory factory, string name, string version, IReadOnlyDictionary<string, RuleOrigin> origins, IReadOnlyList<string> ruleNames, FactFilter filter)
    {
        Factory = factory;
        Filter = filter;
        Name = name;
        Version = version;
        Origins = origins;
        RuleNames = ruleNames;
        Fallback = new RuleOrigin(name, version);
    }

    public ISessionFactory Factory { get; }

    public FactFilter Filter { get; }

    public string Name { get; }

    public string Version { get; }

    public IReadOnlyDictionary<string, RuleOrigin> Origins { get; }

    public IReadOnlyList<string> RuleNames { get; }

    public RuleOrigin Fallback { get; }
}

/// <summary>
/// The decision engine: facts in, a <see cref="DecisionSet"/> out. Built once by <see cref="DecisionEngineBuilder"/>.
/// </summary>
/// <remarks>
/// <para>Threading: the engine is immutable and thread-safe; share one instance. The compiled rule sets (NRules session
/// factories) are shared and thread-safe. Every <see cref="Decide(FactSet, CancellationToken)"/> call uses its own decision
/// collector and an NRules session of the calling thread: each thread keeps one reusable session per rule set, cleaned
/// after every evaluation (the facts inserted are retracted, the agenda cleared) and dropped when it cannot be proven
/// clean. Sessions are never shared across threads, so concurrent calls need no locking.</para>
/// <para>Policy constraints are applied after the rules fired, on the decision set, so no rule can bypass them.</para>
/// </remarks>
public sealed class DecisionEngine
{
    private readonly SiteRuleSet _global;
    private readonly Dictionary<SiteId, SiteRuleSet> _overlays;
    private readonly DecisionPolicy _policy;
    private readonly Dictionary<CustomerId, CustomerQualityRequirements> _customers;

    internal DecisionEngine(SiteRuleSet global, Dictionary<SiteId, SiteRuleSet> overlays, Dictionary<CustomerId, CustomerQualityRequirements> customers, DecisionPolicy policy, DecisionPolicyOptions policyOptions)
    {
        _global = global;
        _overlays = overlays;
        _customers = customers;
        _policy = policy;
        Policy = policyOptions;
    }

    /// <summary>The roles the policy constraints require (release, scrap and deviation approvers).</summary>
    public DecisionPolicyOptions Policy { get; }

    /// <summary>The name of the global rule set.</summary>
    public string RuleSetName => _global.Name;

    /// <summary>The version of the global rule set, such as <c>mo.standard@1.0.0</c>.</summary>
    public string RuleSetVersion => _global.Version;

    /// <summary>The sites with an overlay.</summary>
    public IReadOnlyCollection<SiteId> OverlaySites => _overlays.Keys;

    /// <summary>The customers with quality requirements (<see cref="DecisionEngineBuilder.AddCustomerRequirements"/>).</summary>
    public IReadOnlyCollection<CustomerId> CustomersWithRequirements => _customers.Keys;

    /// <summary>
    /// The quality requirements registered for a customer (<see cref="DecisionEngineBuilder.AddCustomerRequirements"/>), so
    /// a caller reads only what the rules will use, such as certificates of analysis for a lot allocated to a customer
    /// that requires one.
    /// </summary>
    /// <param name="customer">The customer.</param>
    /// <param name="requirements">The customer's requirements, when registered.</param>
    /// <returns><see langword="true"/> when the customer has requirements.</returns>
    public bool TryGetCustomerRequirements(CustomerId customer, [NotNullWhen(true)] out CustomerQualityRequirements? requirements) =>
        _customers.TryGetValue(customer, out requirements);

    /// <summary>The names of the rules in force at a site (the global set when the site has no overlay).</summary>
    /// <param name="site">The site, or <see langword="null"/> for the global set.</param>
    /// <returns>The rule names.</returns>
    public IReadOnlyList<string> GetRuleNames(SiteId? site = null) => Select(site).RuleNames;

    /// <summary>The rule set version in force at a site.</summary>
    /// <param name="site">The site, or <see langword="null"/> for the global set.</param>
    /// <returns>The version.</returns>
    public string GetRuleSetVersion(SiteId? site = null) => Select(site).Version;

    /// <summary>
    /// Evaluates the rules in force at the facts' site (<see cref="FactSet.EffectiveSite"/>) and applies policy constraints.
    /// </summary>
    /// <param name="facts">The facts.</param>
    /// <param name="cancellationToken">Stops the rule firing cycle.</param>
    /// <returns>The decision set.</returns>
    /// <exception cref="ManufacturingOrchestrationException">A rule failed (<see cref="ReasonCodes.RuleEvaluationFailed"/>): the message
    /// names the rule whose action or filter threw, or the condition that threw.</exception>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    public DecisionSet Decide(FactSet facts, CancellationToken cancellationToken = default) => Decide(facts, null, cancellationToken);

    internal DecisionSet Decide(FactSet facts, Action<ISession>? observe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        cancellationToken.ThrowIfCancellationRequested();
        var ruleSet = Select(facts.EffectiveSite).For(facts);
        var collector = new DecisionCollector(ruleSet.Origins, ruleSet.Fallback);

        // Hot path: this thread's clean pooled session. A fresh session when observed (test fixture) or re-entered.
        var pooled = observe is null ? PooledSession.Rent(ruleSet) : null;
        var failed = true;
        try
        {
            if (pooled is not null)
            {
                pooled.Session.DependencyResolver = collector;
                facts.InsertInto(pooled.Session, ruleSet.Filter, pooled.Inserted, _customers);
                pooled.Fire(cancellationToken);
            }
            else
            {
                var session = ruleSet.Factory.CreateSession();
                session.DependencyResolver = collector;
                observe?.Invoke(session);
                facts.InsertInto(session, ruleSet.Filter, new List<object>(8), _customers);
                session.Fire(cancellationToken);
            }

            failed = false;
        }
        catch (RuleExecutionException ex) when (ex.InnerException is ManufacturingOrchestrationException inner)
        {
            throw new ManufacturingOrchestrationException(inner.ReasonCode, inner.Message, ex);
        }
        catch (RuleExecutionException ex)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleEvaluationFailed, Failure(ex, ruleSet.Version), ex);
        }
        finally
        {
            pooled?.Return(ruleSet, failed);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var decisions = collector.Decisions;
        _policy.Apply(decisions, facts);
        return new DecisionSet(decisions, ruleSet.Name, ruleSet.Version);
    }

    /// <summary>
    /// Applies the policy constraints to decisions a workflow proposes without rules (a stock-drift correction), so they
    /// are governed exactly like the rules' own: a release by a claimant without authority, or any release, scrap or
    /// use-as-is at a regulated site, comes back as a <see cref="RequireApproval"/>.
    /// </summary>
    /// <param name="proposed">The proposed decisions.</param>
    /// <param name="facts">The facts (the site's profile is required for governed decisions).</param>
    /// <returns>The governed decision set, named after the policy constraints.</returns>
    /// <exception cref="ManufacturingOrchestrationException">A governed decision came without the site's profile (<see cref="ReasonCodes.SiteProfileMissing"/>).</exception>
    public DecisionSet Govern(IEnumerable<Decision> proposed, FactSet facts)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(facts);
        var decisions = proposed.ToList();
        _policy.Apply(decisions, facts);
        return new DecisionSet(decisions, DecisionPolicy.PolicyRuleSetName, DecisionPolicy.PolicyRuleSetName + "@" + DecisionPolicy.PolicyVersion);
    }

    // Names what failed: the rule of an action or filter; a condition by its expression (NRules shares a condition
    // between the rules that declare it, so it belongs to no one rule).
    private static string Failure(RuleExecutionException ex, string version)
    {
        var reason = ex.InnerException?.Message ?? ex.Message;
        return ex switch
        {
            RuleRhsExpressionEvaluationException action => $"Rule '{action.RuleName}' of '{version}' failed: {reason}",
            AgendaExpressionEvaluationException filter => $"The filter of rule '{filter.RuleName}' of '{version}' failed: {reason}",
            RuleExpressionEvaluationException condition => $"A rule condition of '{version}' failed ({condition.Expression}): {reason}",
            _ => $"A rule failed in '{version}': {reason}",
        };
    }

    private SiteRuleSet Select(SiteId? site) =>
        site is { } id && _overlays.TryGetValue(id, out var overlay) ? overlay : _global;
}
