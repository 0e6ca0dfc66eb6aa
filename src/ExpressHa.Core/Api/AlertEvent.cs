using System;

namespace ExpressHa.Api
{
    /// <summary>One kind of alert: its module, its event id, its usual level and the shape of its message. An entry
    /// with <see cref="LastId"/> is a family: the monitor results, whose id is the probe's code (see
    /// <see cref="AlertEvents.Monitor"/>).</summary>
    public sealed class AlertEvent
    {
        public AlertEvent(string module, int id, string level, string message, int? lastId = null)
        {
            Module = module ?? throw new ArgumentNullException(nameof(module));
            Id = id;
            Level = level ?? throw new ArgumentNullException(nameof(level));
            Message = message ?? throw new ArgumentNullException(nameof(message));
            LastId = lastId ?? id;
        }

        public string Module { get; }
        /// <summary>The event id (the first of a family).</summary>
        public int Id { get; }
        /// <summary>The last id of a family; <see cref="Id"/> for a single event.</summary>
        public int LastId { get; }
        /// <summary>info, warning or error (<see cref="Config.AlertLevels"/>).</summary>
        public string Level { get; }
        /// <summary>The message with its variable parts in braces: "Server {node} is lost: every heartbeat path timed out."</summary>
        public string Message { get; }

        public bool IsFamily => LastId != Id;

        /// <summary>Whether an alert of the log is this event (of this family).</summary>
        public bool Matches(AlertEntry? alert)
            => alert != null && string.Equals(alert.Module, Module, StringComparison.Ordinal) && alert.EventId >= Id && alert.EventId <= LastId;

        public override string ToString() => IsFamily ? $"{Module}[{Id}-{LastId}]" : $"{Module}[{Id}]";
    }
}
