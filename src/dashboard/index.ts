/** The dashboard offers other modules nothing but itself: it is the top of the house. */
export { DashboardModule } from './dashboard.module';
