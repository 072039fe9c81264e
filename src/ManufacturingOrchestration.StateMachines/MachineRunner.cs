using ManufacturingOrchestration.Model;
using Stateless;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// Runs one Stateless machine definition against a state value kept outside the machine.
/// </summary>
/// <remarks>
/// Threading model: a Stateless <see cref="StateMachine{TState, TTrigger}"/> is not safe for concurrent firing, so the
/// runner keeps one configured machine per thread (built once, on the thread's first call, then reused for every call
/// on that thread). Each call loads the caller's state value and arguments into the thread's slot, fires synchronously,
/// reads the new state back and clears the slot. Nothing is shared between threads except the immutable configure
/// delegate, so the public machines are safe to call from any number of threads at once.
/// </remarks>
internal sealed class MachineRunner<TState, TTrigger, TContext>
    where TState : struct, Enum
    where TTrigger : struct, Enum
    where TContext : class
{
    private readonly Action<StateMachine<TState, TTrigger>, Slot> _configure;
    private readonly Func<TState, TTrigger, ReasonCode> _reasonWhenNotPermitted;
    private readonly ThreadLocal<Slot> _slots;

    public MachineRunner(Action<StateMachine<TState, TTrigger>, Slot> configure, Func<TState, TTrigger, ReasonCode> reasonWhenNotPermitted)
    {
        _configure = configure;
        _reasonWhenNotPermitted = reasonWhenNotPermitted;
        _slots = new ThreadLocal<Slot>(CreateSlot);
    }

    /// <summary>Fires <paramref name="trigger"/> from <paramref name="state"/> with <paramref name="context"/> readable by guards.</summary>
    public Outcome Fire(TState state, TTrigger trigger, TContext context)
    {
        var slot = _slots.Value!;
        if (slot.Busy)
        {
            // Re-entrant call on the same thread (a guard or selector calling back in): use a throwaway machine.
            slot = CreateSlot();
        }

        slot.Busy = true;
        slot.State = state;
        slot.Context = context;
        slot.Unhandled = false;
        slot.UnmetGuards = null;
        try
        {
            try
            {
                slot.Machine.Fire(trigger);
            }
            catch (InvalidOperationException ex)
            {
                // Stateless reports configuration-level refusals (e.g. a dynamic selector's target) this way: never let it escape.
                return Reject(slot, state, trigger, ReasonCodes.TransitionNotPermitted, ex.Message);
            }

            if (slot.Unhandled)
            {
                var reason = _reasonWhenNotPermitted(state, trigger);
                if (slot.UnmetGuards is { Count: > 0 } unmet)
                {
                    foreach (var description in unmet)
                    {
                        if (ReasonCodes.TryFind(description, out var code))
                        {
                            reason = code;
                            break;
                        }
                    }
                }

                return Reject(slot, state, trigger, reason, null);
            }

            return new Outcome(slot.State, null);
        }
        finally
        {
            slot.Context = null;
            slot.Busy = false;
        }
    }

    /// <summary>Describes the machine (states, triggers, guards) for diagrams.</summary>
    public StateMachineInfo GetInfo(TState initialState)
    {
        var slot = CreateSlot();
        slot.State = initialState;
        return slot.Machine.GetInfo();
    }

    private Outcome Reject(Slot slot, TState state, TTrigger trigger, ReasonCode reason, string? detail)
    {
        var permitted = new List<string>();
        try
        {
            slot.State = state;
            // Every guard here is synchronous, so the synchronous query is the right one.
#pragma warning disable CS0618
            foreach (var candidate in slot.Machine.GetPermittedTriggers())
#pragma warning restore CS0618
            {
                permitted.Add(candidate.ToString());
            }
        }
        catch (InvalidOperationException)
        {
            // Guards that cannot be evaluated leave the list as far as it got.
        }

        var message = detail is null
            ? $"{trigger} is not permitted in state {state}: {reason.Description}"
            : $"{trigger} is not permitted in state {state}: {reason.Description} ({detail})";
        return new Outcome(state, new TransitionRejection(reason, message, state.ToString(), trigger.ToString(), permitted));
    }

    private Slot CreateSlot()
    {
        var slot = new Slot();
        var machine = new StateMachine<TState, TTrigger>(() => slot.State, s => slot.State = s, FiringMode.Immediate);
        machine.OnUnhandledTrigger((_, _, unmetGuards) =>
        {
            slot.Unhandled = true;
            slot.UnmetGuards = unmetGuards;
        });
        _configure(machine, slot);
        slot.Machine = machine;
        return slot;
    }

    /// <summary>The result of one firing.</summary>
    internal readonly record struct Outcome(TState State, TransitionRejection? Rejection);

    /// <summary>One thread's machine and the call in flight.</summary>
    internal sealed class Slot
    {
        public StateMachine<TState, TTrigger> Machine { get; set; } = null!;

        public TState State { get; set; }

        public TContext? Context { get; set; }

        /// <summary>The context of the call in flight (guards and selectors run only during a call).</summary>
        public TContext Ctx => Context ?? throw new InvalidOperationException("No transition is in flight.");

        public bool Busy { get; set; }

        public bool Unhandled { get; set; }

        public ICollection<string>? UnmetGuards { get; set; }
    }
}
