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
