/// The wall-clock functions' answers (llGetGMTclock, llGetWallclock, llGetDate,
/// llGetTimestamp) from a time in seconds since 1970-01-01 UTC; each host supplies its clock.
public enum LSLWallClock {
    /// Seconds since midnight of `seconds` (since 1970, already moved by any time zone offset).
    public static func secondsOfDay(_ seconds: Double) -> Double {
        let day = 86_400.0
        return seconds - (seconds / day).rounded(.down) * day
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss.ffffffZ` (UTC) of whole `seconds` since 1970 and
    /// `micros` into the next second.
    public static func text(seconds: Int64, micros: Int64, includeTime: Bool) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        guard includeTime else { return date }
        let inDay = seconds - days * 86_400
        return date + "T\(pad(inDay / 3600, 2)):\(pad(inDay / 60 % 60, 2)):\(pad(inDay % 60, 2)).\(pad(micros, 6))Z"
    }

    /// The proleptic Gregorian date of a day number (days since 1970-01-01).
    public static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        String(value).consolePadded(to: width)
    }
}
