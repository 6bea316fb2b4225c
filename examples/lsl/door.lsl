// A door: a touch swings it open, it closes by itself after five seconds or on the next touch.
integer isOpen = FALSE;
rotation closedRotation;
float OPEN_SECONDS = 5.0;

swing(integer open)
{
    if (open)
    {
        llSetRot(llEuler2Rot(<0.0, 0.0, 90.0> * DEG_TO_RAD) * closedRotation);
        llSay(0, "The door swings open.");
    }
    else
    {
        llSetRot(closedRotation);
        llSay(0, "The door closes.");
    }
    isOpen = open;
}

default
{
    state_entry()
    {
        closedRotation = llGetRot();
        llSetObjectName("Door");
        llOwnerSay("Door ready.");
    }

    touch_start(integer total_number)
    {
        if (!isOpen)
        {
            swing(TRUE);
            llSetTimerEvent(OPEN_SECONDS);
        }
        else
        {
            swing(FALSE);
            llSetTimerEvent(0.0);
        }
    }

    timer()
    {
        llSetTimerEvent(0.0);
        swing(FALSE);
    }
}
