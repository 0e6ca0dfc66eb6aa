using ExpressHa.Api;

namespace ExpressHa.Service.Alerts;

/// <summary>Raises an alert of the catalog (<see cref="AlertEvents"/>): its module, id and level come from there.</summary>
public static class AlertSinkExtensions
{
    /// <param name="level">Only for events whose level depends on the case (e.g. np 3: info when a watchdog bounds the wait).</param>
    public static void Raise(this IAlertSink sink, AlertEvent e, string message, string? level = null)
    {
        if (e.IsFamily) throw new ArgumentException($"{e} is a family; raise one of its ids with Raise(e, id, message)", nameof(e));
        sink.Alert(level ?? e.Level, e.Module, e.Id, message);
    }

    /// <summary>One id of a family (a monitor's result: the probe's code).</summary>
    public static void Raise(this IAlertSink sink, AlertEvent family, int id, string message)
    {
        if (id < family.Id || id > family.LastId) throw new ArgumentOutOfRangeException(nameof(id), id, $"outside {family}");
        sink.Alert(family.Level, family.Module, id, message);
    }
}
