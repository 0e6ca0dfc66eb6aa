namespace ExpressHa.Api
{
    /// <summary>One line of the alert log (JSON lines in the state directory; GET /v1/alerts).</summary>
    public sealed class AlertEntry
    {
        /// <summary>UTC, ISO 8601 with milliseconds.</summary>
        public string Time { get; set; } = "";
        public string Node { get; set; } = "";
        /// <summary>info, warning or error.</summary>
        public string Level { get; set; } = "";
        public string Module { get; set; } = "";
        public int EventId { get; set; }
        public string Message { get; set; } = "";

        public override string ToString() => $"{Time} {Node} {Level} {Module}[{EventId}] {Message}";
    }
}
