/* deadline.h -- the absolute time, ms from now, that pthread_cond_timedwait() wants. */
#ifndef CV_DEADLINE_H
#define CV_DEADLINE_H

#include <time.h>

static inline struct timespec cv_deadline_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
