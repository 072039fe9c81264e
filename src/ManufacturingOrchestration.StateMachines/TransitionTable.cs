using ManufacturingOrchestration.Model;
using Stateless;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>A guard of a transition: a check on the call's context, and the reason code returned when it fails.</summary>
/// <typeparam name="TContext">What the guard reads.</typeparam>
/// <param name="Check">The check; it must not change anything.</param>
/// <param name="Reason">The reason code of a refusal by this guard (also its description in the diagrams).</param>
internal readonly record struct TransitionGuard<TContext>(Func<TContext, bool> Check, ReasonCode Reason);

/// <summary>
/// One machine's transitions, written once with a Stateless-like fluent definition and fired by Stateless: the definition
/// configures a Stateless <see cref="StateMachine{TState, TTrigger}"/> over external state, whose guards, dynamic
/// selectors and internal transitions decide every call, and whose <see cref="StateMachineInfo"/> draws the diagrams.
/// </summary>
/// <remarks>
/// <para>
/// Each fixed transition is a Stateless <c>Permit</c>/<c>PermitIf</c> (one guard per <see cref="TransitionGuard{TContext}"/>,
/// described by its reason code), each dynamic one a <c>PermitDynamic</c>/<c>PermitDynamicIf</c> with the selector, each
/// internal one an <c>InternalTransition</c>/<c>InternalTransitionIf</c> (Stateless takes one guard there: the guards in
/// declaration order, described by their reason codes, comma-separated). At most one transition per state and trigger.
/// A trigger Stateless does not handle is refused with the machine's reason for that state and trigger when the state
/// has no transition for it, or with the first failing guard's reason code (guards in declaration order) taken from
/// Stateless's unmet guard descriptions; the rejection lists the triggers that can fire in that state, in configuration
/// order (those without guards, and the guarded ones <see cref="StateMachine{TState, TTrigger}.CanFire(TTrigger)"/> accepts).
/// </para>
/// <para>
/// Threading: a Stateless machine is not safe for concurrent firing, so each thread has its own configured machine,
/// built on the thread's first call and reused afterwards (<see cref="ThreadLocal{T}"/>, one per table). A call puts the
/// state value and the context into its thread's slot (the machine's state accessor and mutator read and write the
/// slot, the guards and selectors read the context there), fires synchronously (<see cref="FiringMode.Immediate"/>), reads
/// the new state back and clears the slot. Nothing mutable is shared between threads. A guard or selector that fires the
/// same table again on its own thread gets a machine of its own for that inner call.
/// </para>
/// </remarks>
internal sealed class TransitionTable<TState, TTrigger, TContext>
    where TState : struct, Enum
    where TTrigger : struct, Enum
    where TContext : class
{
    private readonly Dictionary<(TState State, TTrigger Trigger), Transition> _lookup = [];
    private readonly List<Transition> _transitions = [];
    private readonly List<TState> _configured = [];
    private readonly Func<TState, TTrigger, ReasonCode> _reasonWhenNotPermitted;
    private readonly ThreadLocal<Runner> _runners;

    /// <summary>Builds the table.</summary>
    /// <param name="define">Writes the transitions, state by state.</param>
    /// <param name="reasonWhenNotPermitted">The reason code of a trigger that has no transition in a state.</param>
    public TransitionTable(Action<TransitionTable<TState, TTrigger, TContext>> define, Func<TState, TTrigger, ReasonCode> reasonWhenNotPermitted)
    {
        _reasonWhenNotPermitted = reasonWhenNotPermitted;
        define(this);
        _runners = new ThreadLocal<Runner>(() => NewRunner(default));
    }

    /// <summary>Every transition, state by state in configuration order.</summary>
    public IReadOnlyList<Transition> Transitions => _transitions;

    /// <summary>Starts (or continues) the definition of a state.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The state's definition.</returns>
    public StateDefinition Configure(TState state)
    {
        if (!_configured.Contains(state))
        {
            _configured.Add(state);
        }

        return new StateDefinition(this, state);
    }

    /// <summary>The machine's reason code for a trigger that has no transition in a state.</summary>
    /// <param name="state">The state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <returns>The reason code.</returns>
    public ReasonCode ReasonWhenNotPermitted(TState state, TTrigger trigger) => _reasonWhenNotPermitted(state, trigger);

    /// <summary>
    /// Fires <paramref name="trigger"/> on this thread's Stateless machine, from <paramref name="state"/>, with
    /// <paramref name="context"/> visible to guards and selectors.
    /// </summary>
    /// <param name="state">The current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="context">What guards and selectors read.</param>
    /// <returns>The new state, or a rejection.</returns>
    public Outcome Fire(TState state, TTrigger trigger, TContext context)
    {
        var runner = _runners.Value!;
        if (runner.Busy)
        {
            // A guard or selector firing this table again on the same thread: the thread's machine is mid-call.
            runner = NewRunner(state);
        }

        runner.Busy = true;
        runner.State = state;
        runner.Context = context;
        runner.Unhandled = false;
        runner.UnmetGuards = null;
        runner.FailedInternalGuard = null;
        try
        {
            runner.Machine.Fire(trigger);
            if (!runner.Unhandled)
            {
                return new Outcome(runner.State, null);
            }

            var reason = ReasonOfRefusal(runner, state, trigger);
            runner.State = state;
            return Reject(runner, state, trigger, reason);
        }
        finally
        {
            runner.Context = null;
            runner.UnmetGuards = null;
            runner.Busy = false;
        }
    }

    /// <summary>Describes the machine (states, triggers, guards, dynamic destinations): the Stateless machine that fires it.</summary>
    /// <param name="initialState">The state the description starts from.</param>
    /// <returns>The description.</returns>
    public StateMachineInfo GetInfo(TState initialState) => NewRunner(initialState).Machine.GetInfo();

    /// <summary>A thread's Stateless machine, configured from the definition over the runner's own state and context.</summary>
    private Runner NewRunner(TState initialState)
    {
        var runner = new Runner { State = initialState };
        var machine = new StateMachine<TState, TTrigger>(() => runner.State, s => runner.State = s, FiringMode.Immediate);
        machine.OnUnhandledTrigger((_, _, unmetGuards) =>
        {
            runner.Unhandled = true;
            runner.UnmetGuards = unmetGuards;
        });

        foreach (var state in _configured)
        {
            machine.Configure(state);
        }

        foreach (var transition in _transitions)
        {
            var guards = transition.Guards;
            var configuration = machine.Configure(transition.From);
            switch (transition.Kind)
            {
                case TransitionKind.Fixed when guards.Length == 0:
                    configuration.Permit(transition.Trigger, transition.Destination);
                    break;
                case TransitionKind.Fixed:
                    configuration.PermitIf(transition.Trigger, transition.Destination, StatelessGuards(runner, guards));
                    break;
                case TransitionKind.Internal when guards.Length == 0:
                    configuration.InternalTransition(transition.Trigger, static () => { });
                    break;
                case TransitionKind.Internal:
                    configuration.InternalTransitionIf(transition.Trigger, _ => runner.AllHold(guards), static () => { }, string.Join(", ", guards.Select(g => g.Reason.Code)));
                    break;
                case TransitionKind.Dynamic:
                    var select = transition.Select!;
                    Func<TState> selector = () => select(runner.Current);
                    if (guards.Length == 0)
                    {
                        configuration.PermitDynamic(transition.Trigger, selector, transition.SelectDescription, transition.Destinations);
                    }
                    else
                    {
                        configuration.PermitDynamicIf(transition.Trigger, selector, transition.SelectDescription, transition.Destinations, StatelessGuards(runner, guards));
                    }

                    break;
            }
        }

        runner.Machine = machine;
        return runner;
    }

    /// <summary>Stateless guards reading the call's context from the runner, each described by its reason code.</summary>
    private static Tuple<Func<bool>, string>[] StatelessGuards(Runner runner, TransitionGuard<TContext>[] guards) =>
        guards.Select(g => Tuple.Create<Func<bool>, string>(() => g.Check(runner.Current), g.Reason.Code)).ToArray();

    /// <summary>Why Stateless did not handle the trigger: no transition, or the first of its guards that failed.</summary>
    private ReasonCode ReasonOfRefusal(Runner runner, TState state, TTrigger trigger)
    {
        if (runner.UnmetGuards is not { Count: > 0 } unmet || !_lookup.TryGetValue((state, trigger), out var transition))
        {
            return _reasonWhenNotPermitted(state, trigger);
        }

        if (transition.Kind == TransitionKind.Internal)
        {
            // One Stateless guard for all of them: it noted which one failed first.
            return runner.FailedInternalGuard ?? _reasonWhenNotPermitted(state, trigger);
        }

        // Stateless lists the unmet guards in the order they were configured: the first one is the refusal's reason.
        var first = unmet.First();
        foreach (var guard in transition.Guards)
        {
            if (guard.Reason.Code == first)
            {
                return guard.Reason;
            }
        }

        return _reasonWhenNotPermitted(state, trigger);
    }

    private Outcome Reject(Runner runner, TState state, TTrigger trigger, ReasonCode reason)
    {
        var permitted = new List<string>();
        foreach (var candidate in _transitions)
        {
            // A transition without guards is always permitted; Stateless is asked about the guarded ones (CanFire
            // evaluates their guards, about 0.6 KB a question).
            if (EqualityComparer<TState>.Default.Equals(candidate.From, state)
                && (candidate.Guards.Length == 0 || runner.Machine.CanFire(candidate.Trigger)))
            {
                permitted.Add(candidate.Trigger.ToString());
            }
        }

        return new Outcome(state, new TransitionRejection(reason, $"{trigger} is not permitted in state {state}: {reason.Description}", state.ToString(), trigger.ToString(), permitted));
    }

    private void Add(Transition transition)
    {
        if (!_lookup.TryAdd((transition.From, transition.Trigger), transition))
        {
            throw new InvalidOperationException($"{transition.From} has two transitions for {transition.Trigger}.");
        }

        _transitions.Add(transition);
    }

    /// <summary>One thread's Stateless machine and the call in flight: the state it reads and writes, the context its guards read.</summary>
    private sealed class Runner
    {
        public StateMachine<TState, TTrigger> Machine { get; set; } = null!;

        public TState State { get; set; }

        public TContext? Context { get; set; }

        /// <summary>The context of the call in flight (guards and selectors run only during a call).</summary>
        public TContext Current => Context ?? throw new InvalidOperationException("No transition is in flight.");

        public bool Busy { get; set; }

        public bool Unhandled { get; set; }

        public ICollection<string>? UnmetGuards { get; set; }

        /// <summary>The first failing guard of an internal transition (Stateless takes one guard for all of them).</summary>
        public ReasonCode? FailedInternalGuard { get; set; }

        public bool AllHold(TransitionGuard<TContext>[] guards)
        {
            var context = Current;
            foreach (var guard in guards)
            {
                if (!guard.Check(context))
                {
                    FailedInternalGuard = guard.Reason;
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The result of one firing.</summary>
    /// <param name="State">The new state (the current one when rejected).</param>
    /// <param name="Rejection">Why the trigger was refused, or <see langword="null"/>.</param>
    internal readonly record struct Outcome(TState State, TransitionRejection? Rejection);

    /// <summary>What a transition does with the state.</summary>
    internal enum TransitionKind
    {
        /// <summary>Goes to a fixed destination.</summary>
        Fixed,

        /// <summary>Stays in the state (the object changes, the state does not).</summary>
        Internal,

        /// <summary>Goes to the state a selector computes from the context.</summary>
        Dynamic,
    }

    /// <summary>One transition of the table.</summary>
    internal sealed class Transition
    {
        public required TState From { get; init; }

        public required TTrigger Trigger { get; init; }

        public required TransitionKind Kind { get; init; }

        public TState Destination { get; init; }

        public Func<TContext, TState>? Select { get; init; }

        public string? SelectDescription { get; init; }

        public DynamicStateInfos? Destinations { get; init; }

        public TransitionGuard<TContext>[] Guards { get; init; } = [];

        /// <summary>Every state this transition can lead to.</summary>
        public IEnumerable<TState> PossibleDestinations => Kind switch
        {
            TransitionKind.Internal => [From],
            TransitionKind.Dynamic => Destinations!.Select(d => Enum.Parse<TState>(d.DestinationState)),
            _ => [Destination],
        };
    }

    /// <summary>The transitions out of one state, written fluently in the order Stateless would be configured.</summary>
    internal readonly struct StateDefinition
    {
        private readonly TransitionTable<TState, TTrigger, TContext> _table;
        private readonly TState _state;

        public StateDefinition(TransitionTable<TState, TTrigger, TContext> table, TState state)
        {
            _table = table;
            _state = state;
        }

        public StateDefinition Permit(TTrigger trigger, TState destination) => PermitIf(trigger, destination);

        public StateDefinition PermitIf(TTrigger trigger, TState destination, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Fixed, Destination = destination, Guards = guards });

        public StateDefinition InternalTransition(TTrigger trigger) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Internal });

        public StateDefinition InternalTransitionIf(TTrigger trigger, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Internal, Guards = guards });

        public StateDefinition PermitDynamic(TTrigger trigger, Func<TContext, TState> select, string description, DynamicStateInfos destinations) =>
            PermitDynamicIf(trigger, select, description, destinations);

        public StateDefinition PermitDynamicIf(TTrigger trigger, Func<TContext, TState> select, string description, DynamicStateInfos destinations, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition
            {
                From = _state,
                Trigger = trigger,
                Kind = TransitionKind.Dynamic,
                Select = select,
                SelectDescription = description,
                Destinations = destinations,
                Guards = guards,
            });

        private StateDefinition Add(Transition transition)
        {
            _table.Add(transition);
            return this;
        }
    }
}
