using NRules;
using NRules.Diagnostics;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// One reusable NRules session per thread and compiled rule set. Creating a session costs about as much as inserting
/// a fact, so the hot path reuses a clean session: insert the facts, fire, retract exactly the facts inserted and
/// clear the agenda. A session that may hold anything else afterwards (a rule inserted facts, a rule or condition threw)
/// is dropped, never reused. Sessions never leave their thread, so no session is ever used by two threads.
/// </summary>
internal sealed class PooledSession
{
    [ThreadStatic]
    private static Dictionary<CompiledRuleSet, PooledSession>? _threadSessions;

    private readonly List<object> _inserted = new(16);
    private bool _dirty;

    private readonly EventHandler<WorkingMemoryEventArgs> _onFactInserted;

    private PooledSession(ISession session)
    {
        Session = session;

        // Facts inserted while rules fire come from rule actions: the session can then no longer be proven clean. The
        // handler is attached only while rules fire, so the evaluation's own inserts raise no event (an event object each).
        _onFactInserted = (_, _) => _dirty = true;
    }

    public ISession Session { get; }

    public bool InUse { get; private set; }

    public List<object> Inserted => _inserted;

    /// <summary>The pooled session of this thread for a rule set, or <see langword="null"/> when it is in use (re-entrant call).</summary>
    public static PooledSession? Rent(CompiledRuleSet ruleSet)
    {
        var sessions = _threadSessions ??= new Dictionary<CompiledRuleSet, PooledSession>(ReferenceEqualityComparer.Instance);
        if (!sessions.TryGetValue(ruleSet, out var pooled))
        {
            pooled = new PooledSession(ruleSet.Factory.CreateSession());
            sessions.Add(ruleSet, pooled);
        }

        if (pooled.InUse)
        {
            return null;
        }

        pooled.InUse = true;
        pooled._dirty = false;
        return pooled;
    }

    public void Fire(CancellationToken cancellationToken)
    {
        Session.Events.FactInsertedEvent += _onFactInserted;
        try
        {
            Session.Fire(cancellationToken);
        }
        finally
        {
            Session.Events.FactInsertedEvent -= _onFactInserted;
        }
    }

    /// <summary>Cleans the session for the next evaluation, or drops it from the pool when it cannot be proven clean.</summary>
    public void Return(CompiledRuleSet ruleSet, bool failed)
    {
        try
        {
            if (!failed && !_dirty)
            {
                Session.TryRetractAll(_inserted, BatchOptions.SkipFailed);

                Session.Agenda.Clear();
                return;
            }

            _threadSessions?.Remove(ruleSet);
        }
        catch (RuleExecutionException)
        {
            _threadSessions?.Remove(ruleSet);
        }
        finally
        {
            _inserted.Clear();
            InUse = false;
        }
    }
}
