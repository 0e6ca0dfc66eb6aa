namespace ExpressHa.Service.Alerts;

/// <summary>Where the service reports what happens: the structured alert log (and, later, SNS).</summary>
public interface IAlertSink
{
    void Alert(string level, string module, int eventId, string message);
    /// <summary>A plain log line (stdout/journald), not an alert.</summary>
    void Log(string module, string message);
}
