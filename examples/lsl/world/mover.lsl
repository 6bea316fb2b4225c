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
