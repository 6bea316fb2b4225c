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
