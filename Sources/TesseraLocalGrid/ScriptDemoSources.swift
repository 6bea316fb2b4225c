// The sources of examples/lsl/world/, which the local grid's scripted demo objects run
// (ScriptDemo). A test keeps them equal to the files: edit the files, then this.
public enum ScriptDemoSources {
    /// The file's text (with its final newline).
    public static func source(of file: String) -> String {
        guard let source = all[file] else { preconditionFailure("no demo script \(file)") }
        return source + "\n"
    }

    /// File name → text without the final newline.
    public static let all: [String: String] = [
        "ball.lsl": #"""
// Ball: the launcher's projectile. It lives for five seconds after it is rezzed, then dies.
default
{
    state_entry()
    {
        llSetTimerEvent(5.0);
    }

    on_rez(integer parameter)
    {
        llSetTimerEvent(5.0);
    }

    timer()
    {
        llDie();
    }
}
"""#,
        "clock.lsl": #"""
// Clock: floating text with the time of day (UTC), brought up to date every second.
string twoDigits(integer value)
{
    if (value < 10) return "0" + (string)value;
    return (string)value;
}

show()
{
    integer seconds = (integer)llGetGMTclock();
    llSetText(twoDigits(seconds / 3600) + ":" + twoDigits((seconds / 60) % 60) + ":" + twoDigits(seconds % 60) + " UTC",
        <0.6, 1.0, 0.6>, 1.0);
}

default
{
    state_entry()
    {
        show();
        llSetTimerEvent(1.0);
    }

    on_rez(integer parameter)
    {
        show();
    }

    timer()
    {
        show();
    }
}
"""#,
        "door.lsl": #"""
// Door: a touch opens or closes it; so does "open" or "close" said on channel 5.
// Opening swings it a quarter turn about its vertical axis and slides it aside.
integer CHANNEL = 5;
integer isOpen = FALSE;
vector closedPosition;
rotation closedRotation;

swing(integer open)
{
    if (open == isOpen) return;
    if (open)
    {
        llSetRot(llEuler2Rot(<0.0, 0.0, 90.0> * DEG_TO_RAD) * closedRotation);
        llSetPos(closedPosition + <0.5, 0.5, 0.0>);
        llSay(0, "The door opens.");
    }
    else
    {
        llSetRot(closedRotation);
        llSetPos(closedPosition);
        llSay(0, "The door closes.");
    }
    isOpen = open;
}

default
{
    state_entry()
    {
        closedPosition = llGetPos();
        closedRotation = llGetRot();
        llListen(CHANNEL, "", NULL_KEY, "");
        llSetText("Door: touch, or say /5 open or /5 close", <1.0, 1.0, 1.0>, 1.0);
    }

    touch_start(integer total_number)
    {
        swing(!isOpen);
    }

    listen(integer channel, string name, key id, string message)
    {
        message = llToLower(llStringTrim(message, STRING_TRIM));
        if (message == "open") swing(TRUE);
        else if (message == "close") swing(FALSE);
    }
}
"""#,
        "greeter.lsl": #"""
// Greeter: touch it and it says hello to you by name.
default
{
    state_entry()
    {
        llSetText("Touch me", <1.0, 1.0, 0.6>, 1.0);
    }

    touch_start(integer total_number)
    {
        integer i;
        for (i = 0; i < total_number; ++i)
        {
            llSay(0, "Hello, " + llDetectedName(i));
        }
    }
}
"""#,
        "launcher.lsl": #"""
// Ball launcher: each touch rezzes the "Ball" of its contents a metre in front of it, thrown
// forward and up at 6 m/s. The ball's own script removes it a few seconds later.
default
{
    state_entry()
    {
        llSetText("Ball launcher: touch to throw", <1.0, 0.7, 0.4>, 1.0);
    }

    touch_start(integer total_number)
    {
        rotation facing = llGetRot();
        vector forward = llRot2Fwd(facing);
        llRezObject("Ball", llGetPos() + forward + <0.0, 0.0, 0.5>, (forward + <0.0, 0.0, 0.5>) * 6.0, facing, 1);
    }
}
"""#,
        "mover.lsl": #"""
// Mover: obeys words said on channel 9 — up, down, north, south, east, west (one metre each) and
// home (back where it started); everything else on that channel, and every other channel, is ignored.
integer CHANNEL = 9;
float STEP = 1.0;
vector home;

default
{
    state_entry()
    {
        home = llGetPos();
        llListen(CHANNEL, "", NULL_KEY, "");
        llSetText("Mover: say /9 up, down, north, south, east, west or home", <0.7, 0.8, 1.0>, 1.0);
    }

    listen(integer channel, string name, key id, string message)
    {
        message = llToLower(llStringTrim(message, STRING_TRIM));
        vector step = ZERO_VECTOR;
        if (message == "up") step = <0.0, 0.0, STEP>;
        else if (message == "down") step = <0.0, 0.0, -STEP>;
        else if (message == "north") step = <0.0, STEP, 0.0>;
        else if (message == "south") step = <0.0, -STEP, 0.0>;
        else if (message == "east") step = <STEP, 0.0, 0.0>;
        else if (message == "west") step = <-STEP, 0.0, 0.0>;
        else if (message == "home")
        {
            llSetPos(home);
            return;
        }
        else return;
        llSetPos(llGetPos() + step);
    }
}
"""#,
        "sensor-light.lsl": #"""
// Light: bright while an avatar is within 10 m, dim otherwise. It looks every two seconds.
float RANGE = 10.0;
vector BRIGHT = <1.0, 0.95, 0.6>;
vector DIM = <0.15, 0.15, 0.2>;
integer lit = -1;

light(integer on)
{
    if (on == lit) return;
    lit = on;
    if (on) llSetColor(BRIGHT, ALL_SIDES);
    else llSetColor(DIM, ALL_SIDES);
}

default
{
    state_entry()
    {
        light(FALSE);
        llSensorRepeat("", NULL_KEY, AGENT, RANGE, PI, 2.0);
    }

    sensor(integer detected)
    {
        light(TRUE);
    }

    no_sensor()
    {
        light(FALSE);
    }
}
"""#,
    ]
}
